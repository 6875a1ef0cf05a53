import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { renameDurably } from '@hugh/common';
import { HughError } from '@hugh/protocol';

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new HughError('HUGH_ERR_INTERNAL', `openssl ${args[0]} failed: ${stderr || (error as Error).message}`);
  }
}

export interface IssuedCertificates {
  caCert: string;
  caKey: string;
  hubCert?: string;
  hubKey?: string;
  /** Per satellite, a client certificate (for brokers that ask for one, e.g. Mosquitto's require_certificate). */
  satellites: Record<string, { cert: string; key: string }>;
}

/**
 * A local certificate authority for the house and certificates signed by it, made with the openssl
 * command (Debian and Raspberry Pi OS have it). The CA is created once and reused: satellites keep
 * trusting it when the hub's certificate is renewed or a satellite is added. Keys are written 0600.
 */
export function issueCertificates(options: { dir: string; hosts: string[]; satellites?: string[]; hubToo?: boolean; days?: number }): IssuedCertificates {
  const { dir } = options;
  const days = String(options.days ?? 825);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  const newKey = (file: string) => {
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
    chmodSync(file, 0o600);
  };
  // openssl writes in place and does not fsync: each file is made under a temporary name and moved
  // into place durably, so a crash or power cut leaves the old file or the whole new one. The CA
  // key goes into place only with its certificate made, so a torn CA is never reused. (A crash between
  // a certificate's rename and its key's can leave a new certificate beside the old key: run `certs` again.)
  const made = (file: string) => `${file}.${process.pid}.tmp`;
  if (!existsSync(caKey) || !existsSync(caCert)) {
    newKey(made(caKey));
    openssl(['req', '-x509', '-new', '-key', made(caKey), '-sha256', '-days', '3650', '-subj', '/CN=H.U.G.H. Voice home CA', '-out', made(caCert)]);
    renameDurably(made(caCert), caCert);
    renameDurably(made(caKey), caKey);
  }
  const issue = (name: string, subject: string, extensions: string) => {
    const key = join(dir, `${name}.key`);
    const cert = join(dir, `${name}.crt`);
    // The request and its extensions are needed only while signing; a random serial needs no .srl file.
    const csr = join(dir, `${name}.csr`);
    const ext = join(dir, `${name}.ext`);
    try {
      newKey(made(key));
      openssl(['req', '-new', '-key', made(key), '-subj', subject, '-out', csr]);
      writeFileSync(ext, extensions, { mode: 0o600 });
      openssl(['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', days, '-sha256', '-extfile', ext, '-out', made(cert)]);
      renameDurably(made(cert), cert);
      renameDurably(made(key), key);
    } finally {
      rmSync(csr, { force: true });
      rmSync(ext, { force: true });
      rmSync(made(cert), { force: true });
      rmSync(made(key), { force: true });
    }
    return { cert, key };
  };
  const issued: IssuedCertificates = { caCert, caKey, satellites: {} };
  if (options.hubToo !== false) {
    const altNames = [...new Set(['localhost', '127.0.0.1', ...options.hosts])].map((host) => (isIP(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
    const hub = issue('hub', `/CN=${options.hosts[0] ?? 'localhost'}`, `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
    issued.hubCert = hub.cert;
    issued.hubKey = hub.key;
  }
  for (const id of options.satellites ?? []) {
    issued.satellites[id] = issue(`satellite-${id}`, `/CN=${id}`, 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  }
  return issued;
}
