/**
 * Artifact fields (see argo-types.ts for the notation), from Argo's ArtifactLocation and the
 * storage-specific types in pkg/apis/workflow/v1alpha1/workflow_types.go.
 */
import type { ObjectSchema } from './type-expr.js';

const ARTIFACT_LOCATION: ObjectSchema = {
  archiveLogs: 'bool',
  s3: 'S3Artifact',
  git: 'GitArtifact',
  http: 'HTTPArtifact',
  artifactory: 'ArtifactoryArtifact',
  hdfs: 'HDFSArtifact',
  raw: 'RawArtifact',
  oss: 'OSSArtifact',
  gcs: 'GCSArtifact',
  azure: 'AzureArtifact',
  plugin: 'PluginArtifact',
};

const ARTIFACT: ObjectSchema = {
  name: 'string',
  path: 'string',
  mode: 'int',
  from: 'string',
  ...ARTIFACT_LOCATION,
  globalName: 'string',
  archive: 'ArchiveStrategy',
  optional: 'bool',
  subPath: 'string',
  recurseMode: 'bool',
  fromExpression: 'string',
  artifactGC: 'ArtifactGC',
  deleted: 'bool',
};

const S3_BUCKET: ObjectSchema = {
  endpoint: 'string',
  bucket: 'string',
  region: 'string',
  insecure: 'bool',
  accessKeySecret: 'k8s',
  secretKeySecret: 'k8s',
  sessionTokenSecret: 'k8s',
  roleARN: 'string',
  useSDKCreds: 'bool',
  createBucketIfNotPresent: 'CreateS3BucketOptions',
  encryptionOptions: 'S3EncryptionOptions',
  caSecret: 'k8s',
  addressingStyle: 'string',
};

const HDFS_CONFIG: ObjectSchema = {
  krbCCacheSecret: 'k8s',
  krbKeytabSecret: 'k8s',
  krbUsername: 'string',
  krbRealm: 'string',
  krbConfigConfigMap: 'k8s',
  krbServicePrincipalName: 'string',
  addresses: '[]string',
  hdfsUser: 'string',
  dataTransferProtection: 'string',
};

const OSS_BUCKET: ObjectSchema = {
  endpoint: 'string',
  bucket: 'string',
  accessKeySecret: 'k8s',
  secretKeySecret: 'k8s',
  createBucketIfNotPresent: 'bool',
  securityToken: 'string',
  lifecycleRule: 'OSSLifecycleRule',
  useSDKCreds: 'bool',
};

const ARTIFACT_GC: ObjectSchema = { strategy: 'string', podMetadata: 'Metadata', serviceAccountName: 'string' };

export const ARTIFACT_TYPES: Readonly<Record<string, ObjectSchema>> = {
  Artifact: ARTIFACT,
  ArtifactLocation: ARTIFACT_LOCATION,
  ArchiveStrategy: { tar: 'TarStrategy', none: 'Empty', zip: 'Empty' },
  TarStrategy: { compressionLevel: 'int' },
  ArtifactGC: ARTIFACT_GC,
  WorkflowLevelArtifactGC: { ...ARTIFACT_GC, forceFinalizerRemoval: 'bool', podSpecPatch: 'string' },
  S3Artifact: { ...S3_BUCKET, key: 'string' },
  S3EncryptionOptions: {
    kmsKeyId: 'string',
    kmsEncryptionContext: 'string',
    enableEncryption: 'bool',
    serverSideCustomerKeySecret: 'k8s',
  },
  CreateS3BucketOptions: { objectLocking: 'bool' },
  GitArtifact: {
    repo: 'string',
    revision: 'string',
    depth: 'int',
    fetch: '[]string',
    usernameSecret: 'k8s',
    passwordSecret: 'k8s',
    sshPrivateKeySecret: 'k8s',
    insecureIgnoreHostKey: 'bool',
    disableSubmodules: 'bool',
    singleBranch: 'bool',
    branch: 'string',
    insecureSkipTLS: 'bool',
  },
  HTTPArtifact: { url: 'string', headers: '[]Header', auth: 'HTTPAuth', saveStreamViaFile: 'bool' },
  Header: { name: 'string', value: 'string' },
  HTTPAuth: { clientCert: 'ClientCertAuth', oauth2: 'OAuth2Auth', basicAuth: 'BasicAuth' },
  BasicAuth: { usernameSecret: 'k8s', passwordSecret: 'k8s' },
  ClientCertAuth: { clientCertSecret: 'k8s', clientKeySecret: 'k8s' },
  OAuth2Auth: {
    clientIDSecret: 'k8s',
    clientSecretSecret: 'k8s',
    tokenURLSecret: 'k8s',
    scopes: '[]string',
    endpointParams: '[]OAuth2EndpointParam',
  },
  OAuth2EndpointParam: { key: 'string', value: 'string' },
  ArtifactoryArtifact: { url: 'string', usernameSecret: 'k8s', passwordSecret: 'k8s' },
  AzureArtifact: { endpoint: 'string', container: 'string', accountKeySecret: 'k8s', useSDKCreds: 'bool', blob: 'string' },
  HDFSArtifact: { ...HDFS_CONFIG, path: 'string', force: 'bool' },
  RawArtifact: { data: 'string' },
  OSSArtifact: { ...OSS_BUCKET, key: 'string' },
  OSSLifecycleRule: { markInfrequentAccessAfterDays: 'int', markDeletionAfterDays: 'int' },
  GCSArtifact: { bucket: 'string', serviceAccountKeySecret: 'k8s', key: 'string' },
  PluginArtifact: { name: 'string', configuration: 'string', connectionTimeoutSeconds: 'int', key: 'string' },

};
