// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { configure } from '@testing-library/react';
import { MessageChannel, MessagePort } from 'node:worker_threads';

// React 19's react-dom/server (pulled in by @grafana/ui) needs MessageChannel, which jsdom lacks. React's scheduler
// opens one per test file and listens on it; Node's ports keep the process alive, so each file closes them at its end
// (else jest never exits when run in band, and reports a worker force-exited otherwise).
const channels = [];
class ClosingMessageChannel extends MessageChannel {
  constructor() {
    super();
    channels.push(this);
  }
}
Object.assign(global, { MessageChannel: ClosingMessageChannel, MessagePort });
afterAll(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

// jsdom has no canvas; Combobox measures option text with one.
HTMLCanvasElement.prototype.getContext = () => ({
  measureText: (text) => ({ width: String(text).length * 7 }),
  font: '',
});

// findBy*/waitFor give up after 1 s by default; the first render of a page in a file (loading @grafana/ui) took longer
// than that on this shared 2-core machine under load, and a test failed though the page was right. Still a bound.
configure({ asyncUtilTimeout: 5000 });
