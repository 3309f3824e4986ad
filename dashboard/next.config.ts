import type { NextConfig } from 'next';
import { PHASE_DEVELOPMENT_SERVER } from 'next/constants';

// Production builds are a static export (dashboard/out) that the gateway serves at `/`; the
// browser then calls the gateway's `/api/...` on the same origin. `npm run dev` proxies `/api/*`
// to the gateway instead (GATEWAY_URL, default http://localhost:8080).
export default function config(phase: string): NextConfig {
  const base: NextConfig = {
    trailingSlash: true,
    reactStrictMode: true,
    images: { unoptimized: true },
    poweredByHeader: false,
    // `npm run typecheck` checks types (in test:ci); the build need not do it a second time.
    typescript: { ignoreBuildErrors: true },
  };
  if (phase === PHASE_DEVELOPMENT_SERVER) {
    const gateway = (process.env.GATEWAY_URL ?? 'http://localhost:8080').replace(/\/$/, '');
    return {
      ...base,
      // The SSE stream must not be buffered or compressed by the dev proxy.
      compress: false,
      // /api/x must reach the gateway as it is, not be redirected to /api/x/.
      skipTrailingSlashRedirect: true,
      async rewrites() {
        return [
          { source: '/api/:path*', destination: `${gateway}/api/:path*` },
          { source: '/readyz', destination: `${gateway}/readyz` },
        ];
      },
    };
  }
  return { ...base, output: 'export' };
}
