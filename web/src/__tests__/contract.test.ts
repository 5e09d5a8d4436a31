/**
 * The typed client against the service's OpenAPI document (src/api/openapi.json, a copy of
 * /api/openapi.json): every method and path the dashboard calls must exist there.
 */
import { describe, expect, it } from 'vitest';
import clientSource from '../api/client.ts?raw';
import { MAX_PAGE } from '../api/client';
import doc from '../api/openapi.json';

const normalise = (path: string) => path.replace(/\$\{[^}]+\}/g, '{}').replace(/\{[a-z_]+\}/g, '{}');

function documented(): Set<string> {
  const out = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>))
    for (const method of Object.keys(item)) out.add(`${method.toUpperCase()} ${normalise(path)}`);
  return out;
}

function called(): string[] {
  const calls = new Set<string>();
  for (const m of clientSource.matchAll(/request<[^\n]*?>\(\s*'(GET|POST|PUT|PATCH|DELETE)',\s*([`'])(.*?)\2/g))
    calls.add(`${m[1]} ${normalise(`/api${m[3]}`)}`);
  for (const m of clientSource.matchAll(/listAll<\w+>\('([^']+)'/g)) calls.add(`GET ${normalise(`/api${m[1]}`)}`);
  // files (ZIP, CSV, Markdown)
  for (const m of clientSource.matchAll(/requestBlob\(\s*'(GET|POST)',\s*([`'])(.*?)\2/g))
    calls.add(`${m[1]} ${normalise(`/api${m[3]}`)}`);
  // URLs used by <img>, <video> and EventSource
  for (const m of clientSource.matchAll(/=>\s*\n?\s*`\$\{API_BASE\}([^`?$]*(?:\$\{enc\([a-zA-Z]+\)\}[^`?$]*)*)/g))
    calls.add(`GET ${normalise(`/api${m[1]}`)}`);
  return [...calls].sort();
}

describe('API contract', () => {
  it('the document is OpenAPI 3.1 for this service', () => {
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(doc.info.title).toBe('ShopGuard API');
  });

  it('every call of the client is in the OpenAPI document', () => {
    const paths = documented();
    const calls = called();
    expect(calls.length).toBeGreaterThan(30);
    expect(calls).toContain('GET /api/cameras/{}/live.mjpg');
    expect(calls).toContain('GET /api/stream');
    expect(calls).toContain('GET /api/cameras');
    expect(calls).toContain('POST /api/dataset/export');
    expect(calls).toContain('GET /api/audit/export');
    expect(calls).toContain('POST /api/models/versions/{}/promote');
    expect(calls.filter((c) => !paths.has(c))).toEqual([]);
  });

  it('the client never asks for a larger page than the API allows', () => {
    const paths = doc.paths as Record<string, { get?: { parameters?: { name: string; schema: { maximum?: number } }[] } }>;
    for (const path of ['/api/cameras', '/api/users', '/api/tokens', '/api/events', '/api/deliveries']) {
      const limit = paths[path].get?.parameters?.find((p) => p.name === 'limit');
      expect(limit, path).toBeDefined();
      expect(MAX_PAGE).toBeLessThanOrEqual(limit!.schema.maximum ?? Infinity);
      expect(200).toBeLessThanOrEqual(limit!.schema.maximum ?? Infinity); // the live view's open alerts
    }
  });
});
