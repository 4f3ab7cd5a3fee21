import React, { useState } from 'react';
import { Button, Stack, Text } from '@grafana/ui';
import { NOTIFICATION_CHANNELS } from '@cursor-cost-watch/contract';
import { useNotificationActions } from '../../../api/useNotifications';
import { asWorkerError, failureText } from '../../../api/errors';
import { currentPermissions } from '../../../utils/roles';

/** Admins send a test message to each channel and see what happened. */
export function ChannelTests() {
  const { canAdmin } = currentPermissions();
  const notifications = useNotificationActions();
  const [results, setResults] = useState<Record<string, { ok: boolean; text: string }>>({});
  if (!canAdmin) {
    return null;
  }
  const test = async (channel: (typeof NOTIFICATION_CHANNELS)[number]) => {
    try {
      const r = await notifications.test(channel);
      setResults((s) => ({ ...s, [channel]: { ok: true, text: r.message } }));
    } catch (e) {
      setResults((s) => ({ ...s, [channel]: { ok: false, text: failureText(asWorkerError(e)) } }));
    }
  };
  return (
    <section>
      <Text element="h3">Notification channels</Text>
      <Stack direction="column" gap={1}>
        {NOTIFICATION_CHANNELS.map((c) => (
          <Stack key={c} gap={2} alignItems="center">
            <Button size="sm" variant="secondary" icon="message" onClick={() => test(c)}>
              Send a test to {c}
            </Button>
            {results[c] && (
              <span
                data-testid={`channel-result-${c}`}
                style={{ color: results[c].ok ? 'inherit' : 'var(--error, #d10e5c)' }}
              >
                {results[c].ok ? '✓' : '✗'} {results[c].text}
              </span>
            )}
          </Stack>
        ))}
      </Stack>
    </section>
  );
}
