// force timezone to UTC to allow tests to work regardless of local timezone
process.env.TZ = 'UTC';

const path = require('path');
const base = require('./.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./.config/jest/utils');

module.exports = {
  ...base,
  // d3-color (via @grafana/data) ships only .mjs: transform it with the same swc settings as the sources.
  transform: {
    ...base.transform,
    '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'],
  },
  // ESM-only packages @grafana/* 13.2 pulls in beyond the scaffold's list.
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, '@react-hookz', '@ver0'])],
  moduleNameMapper: {
    ...base.moduleNameMapper,
    'react-inlinesvg': path.resolve(__dirname, 'src', 'test', 'mocks', 'react-inlinesvg.tsx'),
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'jsx', 'mjs', 'json'],
  // Page tests render @grafana/ui; on a shared 2-core machine under load some took over jest's 5 s default
  // (all passed with more time). Not a speed assertion: speed is measured in benchmark scripts.
  testTimeout: 20_000,
};
