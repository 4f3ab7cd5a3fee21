import type { ApiServices } from './deps';
import { ApiHttpError } from './errors';

// TODO(wire): replaced by the detection and notify modules once they land.
export const defaultServices: ApiServices = {
  async backtest() {
    throw new ApiHttpError(503, 'unavailable', 'Backtesting is not available in this build');
  },
  async sendTestNotification() {
    throw new ApiHttpError(503, 'unavailable', 'Notifications are not available in this build');
  },
};
