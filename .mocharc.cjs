'use strict';
// Tests are compiled by tsc and run from dist/. The glob is expanded by mocha, not the shell.
// Mocha adds the config's spec to the files named on the command line: name files, and only those run.
const named = process.argv.slice(2).some((arg) => /\.test\.js$/.test(arg));
module.exports = {
  ...(named ? {} : { spec: ['dist/test/**/*.test.js'] }),
  timeout: 60000,
  slow: 5000,
  forbidOnly: Boolean(process.env.CI),
  reporter: 'spec',
};
