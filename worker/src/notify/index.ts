export { enqueueNotifications, type Queued } from './enqueue';
export { sendTestNotification } from './test-message';
export { deliverNotification, type DeliveryOutcome } from './deliver';
export { SENT_UNRECORDED } from './outbox';
export { runDigest } from './digest';
export { requeueUnsent } from './sweep';
export {
  CHANNELS,
  ChannelNotConfiguredError,
  missingChannelConfig,
  type Channel,
  type NotificationPolicy,
} from './channels';
export { DeliveryError } from './http';
export type { AlertMessage, IncidentNotice } from './message';
