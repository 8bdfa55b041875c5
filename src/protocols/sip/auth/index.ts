// Public face of SIP Digest authentication (RFC 3261 §22, RFC 7616, RFC 8760): challenges and
// verification for our registrar and UAS, answers to challenges for our UAC.

export {
  computeResponse,
  type DigestAlgorithm,
  ha1For,
  parseAlgorithm,
  type ResponseInput,
} from "./algorithms.ts";
export {
  type Challenge,
  type ChallengeOptions,
  DEFAULT_ALGORITHMS,
  DigestChallenger,
} from "./challenger.ts";
export {
  type AnswerResult,
  answerChallenge,
  type ClientCredentials,
  type ClientRequest,
  DigestClient,
  type DigestClientOptions,
} from "./client.ts";
export {
  type DigestChallengeFields,
  type DigestCredentials,
  parseDigestChallenge,
  parseDigestCredentials,
} from "./fields.ts";
export { type NonceCheck, type NonceOptions, NonceService, type NonceSource } from "./nonce.ts";
export {
  type CredentialLookup,
  type CredentialRecord,
  claimedUsername,
  DigestVerifier,
  type VerifierOptions,
  type VerifyFailureReason,
  type VerifyRequest,
  type VerifyResult,
} from "./verifier.ts";
