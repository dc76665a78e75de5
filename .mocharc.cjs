'use strict';
// Tests are compiled by tsc and run from dist/. The glob is expanded by mocha, not the shell.
module.exports = {
  spec: ['dist/test/**/*.test.js'],
  timeout: 60000,
  slow: 5000,
  forbidOnly: Boolean(process.env.CI),
  reporter: 'spec',
};
