export {
  updateImageTag,
  changeHash,
  commitMessage,
  GitOpsError,
  TRAILER_CHANGE,
  TRAILER_WORKFLOW,
  type UpdateImageTagOptions,
  type UpdateImageTagResult,
} from './update-tag.js';
export { setImageTag, TagEditError, type TagEdit, type TagMode } from './yaml-tag.js';
export { authenticatedUrl, publicUrl, redact, type GitCredentials } from './git-auth.js';
export { buildImage, MEDIA, type BuildImageOptions, type BuiltImage, type Blob } from './oci/build-image.js';
export { parseDockerfile, DockerfileError, type Instruction } from './oci/dockerfile.js';
export { gitopsMain, GITOPS_USAGE, type CliIo } from './cli/gitops-cli.js';
export { imageMain, IMAGE_USAGE } from './cli/image-cli.js';
export { checkoutGit, GitCheckoutError, type GitCheckoutSpec } from './checkout.js';
export { GITOPS_BIN_DIR } from './paths.js';
