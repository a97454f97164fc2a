/** gitops:publish: the fleet tree and its charts as OCI artifacts in a registry. */
export { buildArtifacts, parseOciUrl, type PublishOptions, type PublishResult } from "./build";
export { publish } from "./publishCommand";
export { PublishError } from "./publish";
export { dockerConfigCredentials, RegistryError } from "./registry";
