// Drives the real tus-js-client (the library inside Uppy) against ENDPOINT and prints one JSON line.
// Scenario "resume": upload, abort after the first chunk, resume from the URL through HEAD with
// X-HTTP-Method-Override. Scenario "deferred": Upload-Defer-Length, the length sent with the last PATCH.
'use strict'
const crypto = require('node:crypto')
const tus = require('tus-js-client')

const endpoint = process.env.ENDPOINT
const scenario = process.argv[2]
const data = crypto.randomBytes(Number(process.env.SIZE))
const sha256 = crypto.createHash('sha256').update(data).digest('hex')
const base = {
  endpoint,
  chunkSize: 256 * 1024,
  headers: process.env.HEADERS ? JSON.parse(process.env.HEADERS) : { 'X-User': 'alice' },
  metadata: { filename: 'Pháp luật và đời sống.mp4', filetype: 'video/mp4', relativePath: '' },
  retryDelays: [0, 200, 500],
}

function run(options) {
  return new Promise((resolve, reject) => {
    let upload
    upload = new tus.Upload(data, {
      ...base,
      ...options,
      onError: reject,
      onSuccess: (payload) => resolve({ upload, payload }),
      onChunkComplete: options.abortAfterFirstChunk
        ? () => upload.abort().then(() => resolve({ upload, aborted: true }))
        : undefined,
    })
    upload.start()
  })
}

async function main() {
  const result = { sha256 }
  if (scenario === 'resume') {
    const first = await run({ abortAfterFirstChunk: true })
    result.firstUrl = first.upload.url
    result.offsetAfterAbort = first.upload._offset
    const second = await run({ uploadUrl: first.upload.url, overridePatchMethod: true })
    result.url = second.upload.url
    result.programme = second.payload.lastResponse.getHeader('X-Programme-Id')
  } else {
    const done = await run({ uploadLengthDeferred: true })
    result.url = done.upload.url
    result.programme = done.payload.lastResponse.getHeader('X-Programme-Id')
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

main().catch((err) => {
  process.stderr.write(String(err) + '\n')
  process.exit(1)
})
