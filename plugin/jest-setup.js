// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';
import { MessageChannel, MessagePort } from 'node:worker_threads';

// React 19's react-dom/server (pulled in by @grafana/ui) needs MessageChannel, which jsdom lacks.
Object.assign(global, { MessageChannel, MessagePort });

// jsdom has no canvas; Combobox measures option text with one.
HTMLCanvasElement.prototype.getContext = () => ({ measureText: (text) => ({ width: String(text).length * 7 }), font: '' });
