// The CLI child-process helpers live with the chaos campaign (tools/chaos), which runs the same CLIs.
export { spawnCli, waitFor, WORKER_DIR } from '../../tools/chaos/processes';
