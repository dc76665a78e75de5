import { pemKeyPair } from '../support/key-fixtures.js';

/** The `prod` key pair of the fault tests' fleet (RSA, so Windows passwords can be decrypted with it). */
const PROD = pemKeyPair('rsa-pkcs1');

export const KEY_TEXT = PROD.privateText;
export const PUBLIC_PEM = PROD.publicPem;
