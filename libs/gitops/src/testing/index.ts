/** Test fixtures: real bare git repositories and a smart-HTTP git server. Not for production code. */
export { createBareRepo, git, type BareRepo } from './git-fixtures.js';
export { serveGitHttp, type GitHttpServer } from './git-http-server.js';
