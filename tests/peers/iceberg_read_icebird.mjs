// Second independent Iceberg reader (JavaScript): the npm package icebird, with its own Avro
// decoder and hyparquet for Parquet, reads a ticklake table from its metadata file.
//
//   node iceberg_read_icebird.mjs METADATA_URI [SUM_COLUMN]
//
// METADATA_URI is the table's current metadata file (file:///…/metadata/000NN-….metadata.json,
// as the SQL catalog's metadata_location says). Prints one JSON object:
//   {"records": N, "columns": [names of the current schema], "sum": S}   (sum of SUM_COLUMN)
// Exits non-zero with a message on stderr when the table cannot be read.
// icebird fetches every file with fetch(), which has no file: scheme in Node: local files are
// served from disk by the shim below.
import { readFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'node:path'

const realFetch = globalThis.fetch
globalThis.fetch = async (url, init) => {
  const href = String(url)
  if (!href.startsWith('file:')) return realFetch(url, init)
  let body
  try {
    body = await readFile(fileURLToPath(href))
  } catch (e) {
    return new Response(null, { status: 404, statusText: `${href}: ${e.code}` })
  }
  const range = init?.headers?.Range ?? init?.headers?.range
  if (range) {
    const [, start, end] = /bytes=(\d+)-(\d*)/.exec(range)
    body = body.subarray(Number(start), end === '' ? body.length : Number(end) + 1)
    return new Response(body, { status: 206 })
  }
  return new Response(body, { status: 200, headers: { 'content-length': String(body.length) } })
}

const [metadataUri, sumColumn] = process.argv.slice(2)
if (!metadataUri) {
  console.error('usage: node iceberg_read_icebird.mjs METADATA_URI [SUM_COLUMN]')
  process.exit(2)
}

try {
  // Installed by scripts/setup.sh --test into .deps/peers (tests/peers/package-lock.json).
  const here = dirname(fileURLToPath(import.meta.url))
  const entry = join(here, '..', '..', '.deps', 'peers', 'node_modules', 'icebird', 'src', 'index.js')
  const { icebergRead, icebergMetadata } = await import(pathToFileURL(entry).href)
  const slash = metadataUri.lastIndexOf('/metadata/')
  const tableUrl = metadataUri.slice(0, slash)
  const metadataFileName = metadataUri.slice(slash + '/metadata/'.length)
  const metadata = await icebergMetadata({ tableUrl, metadataFileName })
  const schema = metadata.schemas.find(s => s['schema-id'] === metadata['current-schema-id'])
  const rows = await icebergRead({ tableUrl, metadata })
  let sum = 0
  if (sumColumn) for (const row of rows) sum += Number(row[sumColumn] ?? 0)
  console.log(JSON.stringify({ records: rows.length, columns: schema.fields.map(f => f.name), sum }))
} catch (e) {
  console.error(`iceberg_read_icebird: ${e.stack ?? e}`)
  process.exit(1)
}
