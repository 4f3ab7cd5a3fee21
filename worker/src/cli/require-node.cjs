// Runs before every CLI, on whatever Node the user has: written in ES5 so that even a very old Node parses it
// (the CLIs' own `node --import tsx …` would fail on Node < 20 with "bad option" before any of our code runs).
/* global console */
'use strict';
var MINIMUM = 22;

function nodeVersionProblem(version) {
  var major = parseInt(String(version).split('.')[0], 10);
  if (major >= MINIMUM) return null;
  return (
    'Cursor Cost Watch needs Node.js ' +
    MINIMUM +
    ' or newer; this is Node.js ' +
    version +
    '. ' +
    'Install Node.js ' +
    MINIMUM +
    ' or 24 (https://nodejs.org, or nvm install 24), then run the command again.'
  );
}

module.exports = { nodeVersionProblem: nodeVersionProblem, MINIMUM: MINIMUM };

if (require.main === module) {
  var problem = nodeVersionProblem(process.versions.node);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
