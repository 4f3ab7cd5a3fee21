import { backtest } from '../jobs/backtest';
import { sendTestNotification } from '../notify';
import type { ApiServices } from './deps';

/** The real detection backtest and notification channels; tests may replace either through buildApi's `services`. */
export const defaultServices: ApiServices = { backtest, sendTestNotification };
