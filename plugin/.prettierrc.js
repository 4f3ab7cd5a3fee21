module.exports = {
  // Prettier configuration provided by Grafana scaffolding, then the repository's one style (../.prettierrc.json:
  // trailing commas everywhere, as in worker/ and contract/), so the whole repository is formatted alike.
  ...require('./.config/.prettierrc.js'),
  ...require('../.prettierrc.json'),
};
