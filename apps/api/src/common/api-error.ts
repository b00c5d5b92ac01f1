/**
 * Errors the API answers with: `{ code, message }` like Argo Server (grpc-gateway), where `code`
 * is the gRPC status code number that Argo's clients decode, plus its name in `reason`.
 */

export const GRPC = {
  InvalidArgument: 3,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;

export type GrpcReason = keyof typeof GRPC;

const HTTP_STATUS: Record<GrpcReason, number> = {
  InvalidArgument: 400,
  NotFound: 404,
  AlreadyExists: 409,
  PermissionDenied: 403,
  ResourceExhausted: 413,
  FailedPrecondition: 409,
  Aborted: 409,
  Unimplemented: 501,
  Internal: 500,
  Unavailable: 503,
  Unauthenticated: 401,
};

export interface ErrorBody {
  code: number;
  reason: GrpcReason;
  message: string;
  details?: unknown[];
}

export class ApiError extends Error {
  constructor(
    readonly reason: GrpcReason,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
  }

  get status(): number {
    return HTTP_STATUS[this.reason];
  }

  body(): ErrorBody {
    return { code: GRPC[this.reason], reason: this.reason, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export const invalid = (message: string, details?: unknown[]): ApiError => new ApiError('InvalidArgument', message, details);
export const notFound = (message: string): ApiError => new ApiError('NotFound', message);
export const conflict = (message: string): ApiError => new ApiError('AlreadyExists', message);
export const precondition = (message: string): ApiError => new ApiError('FailedPrecondition', message);
export const unauthenticated = (message: string): ApiError => new ApiError('Unauthenticated', message);
export const forbidden = (message: string): ApiError => new ApiError('PermissionDenied', message);
export const unavailable = (message: string): ApiError => new ApiError('Unavailable', message);

/** The HTTP status → reason fallback for errors that are not ours (Nest's, body parsing). */
export function reasonForStatus(status: number): GrpcReason {
  switch (status) {
    case 400:
      return 'InvalidArgument';
    case 401:
      return 'Unauthenticated';
    case 403:
      return 'PermissionDenied';
    case 404:
      return 'NotFound';
    case 409:
      return 'AlreadyExists';
    case 413:
      return 'ResourceExhausted';
    case 501:
      return 'Unimplemented';
    case 503:
      return 'Unavailable';
    default:
      return 'Internal';
  }
}

/** PostgreSQL could not be reached (Prisma's P1xxx connection codes, pool timeouts, refused sockets). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: string; code?: unknown; cause?: unknown };
  if (e.name === 'PrismaClientInitializationError') return true;
  if (e.name === 'PrismaClientKnownRequestError' && typeof e.code === 'string') {
    return /^P10(0[0-3]|1[07])$/.test(e.code) || e.code === 'P2024';
  }
  if (typeof e.code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P03'].includes(e.code)) return true;
  return e.cause !== undefined && e.cause !== err && isDatabaseUnavailable(e.cause);
}

/** The last, human line of a Prisma error message (they start with a code excerpt). */
export function lastLine(message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? message;
}
