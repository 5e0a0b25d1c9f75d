// nginx as the static backend (load-generator core) and as the reference proxy (gateway core).
// Each runs from a generated configuration in the run's temporary directory, in the foreground
// and as a single process (`master_process off`: the one process is the worker, so its PID is the
// one measured and the one stopped).

import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { helloBody, largeBodyBytes } from './body.ts';
import { startChild } from './processes.ts';
import type { OwnedChild } from './processes.ts';

function common(dir: string, name: string): string {
  const temp = join(dir, `${name}-temp`);
  mkdirSync(temp, { recursive: true });
  return `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, `${name}.pid`)};
error_log ${join(dir, `${name}-error.log`)} warn;
events { worker_connections 4096; }
`;
}

function httpCommon(dir: string, name: string): string {
  const temp = join(dir, `${name}-temp`);
  return `  access_log off;
  client_body_temp_path ${temp}/body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 60s;
  sendfile on;
  tcp_nopush on;
`;
}

/**
 * The backend: `GET|POST /<anything>` answers 200 with the fixed 100-byte JSON body (a POST body
 * is read and discarded); `GET /64k` answers a 64 KiB JSON file.
 */
export function backendConfig(dir: string, port: number): string {
  const largeFile = join(dir, '64k.json');
  const prefix = '{"data":"';
  const suffix = '"}';
  writeFileSync(largeFile, prefix + 'x'.repeat(largeBodyBytes - prefix.length - suffix.length) + suffix);
  return `${common(dir, 'backend')}http {
${httpCommon(dir, 'backend')}  server {
    listen 127.0.0.1:${port} backlog=4096;
    default_type application/json;
    client_max_body_size 1m;
    client_body_buffer_size 64k;
    location = /64k { alias ${largeFile}; }
    location / { return 200 '${helloBody}'; }
  }
}
`;
}

/** The reference proxy: `proxy_pass` to the backend with pooled keep-alive upstream connections. */
export function proxyConfig(dir: string, port: number, upstreamPort: number): string {
  return `${common(dir, 'nginx-proxy')}http {
${httpCommon(dir, 'nginx-proxy')}  upstream backend {
    server 127.0.0.1:${upstreamPort};
    keepalive 128;
    keepalive_requests 100000000;
  }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    client_max_body_size 1m;
    client_body_buffer_size 64k;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffer_size 16k;
      proxy_buffers 16 16k;
    }
  }
}
`;
}

export interface NginxStart {
  name: string;
  nginxPath: string;
  tasksetPath: string;
  cpu: number;
  dir: string;
  config: string;
}

export function startNginx(options: NginxStart): OwnedChild {
  const configFile = join(options.dir, `${options.name}.conf`);
  writeFileSync(configFile, options.config);
  return startChild({
    name: options.name,
    tasksetPath: options.tasksetPath,
    cpu: options.cpu,
    command: options.nginxPath,
    args: ['-p', options.dir, '-c', configFile, '-e', join(options.dir, `${options.name}-error.log`)],
  });
}
