import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { HttpFailure, installFakeBackend, setRole } from '../../../test/fakeBackend';
import { ChannelTests } from './ChannelTests';

describe('ChannelTests', () => {
  let b: ReturnType<typeof installFakeBackend>;
  afterEach(() => expect(b.violations).toEqual([]));

  it('sends a test to each channel an Admin picks and shows each result', async () => {
    setRole('Admin');
    b = installFakeBackend({
      testNotification: (r) => {
        const { channel } = r.body as { channel: string };
        if (channel === 'webhook') {
          throw new HttpFailure(502, { error: 'delivery_failed', message: 'webhook: ALERT_WEBHOOK_URL is not set' });
        }
        return { ok: true, channel, message: `A test message was sent to ${channel}` };
      },
    });
    render(<ChannelTests />);
    fireEvent.click(screen.getByRole('button', { name: 'Send a test to slack' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send a test to webhook' }));
    expect(await screen.findByTestId('channel-result-slack')).toHaveTextContent('✓ A test message was sent to slack');
    expect(await screen.findByTestId('channel-result-webhook')).toHaveTextContent('✗');
    expect(screen.getByTestId('channel-result-webhook')).toHaveTextContent('ALERT_WEBHOOK_URL is not set');
    expect(b.of('testNotification').map((r) => r.body)).toEqual([{ channel: 'slack' }, { channel: 'webhook' }]);
  });

  it.each(['Viewer', 'Editor'] as const)('is not offered to a %s', (role) => {
    setRole(role);
    b = installFakeBackend({});
    const { container } = render(<ChannelTests />);
    expect(container).toBeEmptyDOMElement();
  });
});
