import { expect } from 'chai';
import { ConfigError } from '../../../src/shared/errors.js';

/** The problems a configuration parse reports ([] when it succeeds); any other error fails the test. */
export function problemsOf(parse: () => unknown): readonly string[] {
  try {
    parse();
    return [];
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
}
