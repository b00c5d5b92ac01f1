/** Sending one e-mail over SMTP (nodemailer), behind a small interface the dispatcher uses. */
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Message-ID header, angle brackets included. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface SendResult {
  /** Recipients the server refused (the others got the message). */
  rejected: string[];
}

export interface AlertMailer {
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): void;
}

export interface SmtpMailerOptions {
  /** Connection, greeting and idle timeouts in ms (default 10 s, 10 s, 60 s). */
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
export function smtpMailer(url: string, opts: SmtpMailerOptions = {}): AlertMailer {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: opts.connectionTimeoutMs ?? 10_000,
    greetingTimeout: opts.greetingTimeoutMs ?? 10_000,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
      });
      return { rejected: [...(info.rejected ?? [])] };
    },
    close() {
      transport.close();
    },
  };
}

/** SMTP 5xx replies are permanent (a resend gets the same answer); everything else is retried. */
export function isPermanentSmtpError(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** The error as one line, with the SMTP reply when there is one (credentials never appear in it). */
export function describeSmtpError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; responseCode?: number; response?: string };
  const parts = [e.message.replace(/\s+/g, ' ').trim()];
  if (e.code && !parts[0].includes(e.code)) parts.unshift(`${e.code}:`);
  return parts.join(' ');
}
