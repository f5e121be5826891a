'use strict'

const http = require('http')

// dynalite does not verify signatures, but it does insist that an AWS4
// Authorization header and a date are present, as DynamoDB would.
const AUTH_HEADERS = {
  Authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, ' +
    'SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000',
  'X-Amz-Date': '20240101T000000Z',
}

/**
 * POST one DynamoDB JSON 1.0 request.
 * @returns {Promise<{status:number, headers:object, raw:Buffer, body:any}>}
 */
function dynamo (port, operation, payload) {
  const body = Buffer.from(JSON.stringify(payload), 'utf8')
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/',
      agent: false, // no keep-alive: servers in the tests must close promptly
      headers: {
        ...AUTH_HEADERS,
        'Content-Type': 'application/x-amz-json-1.0',
        'Content-Length': body.length,
        'X-Amz-Target': 'DynamoDB_20120810.' + operation,
      },
    }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const raw = Buffer.concat(chunks)
        let parsed
        try { parsed = JSON.parse(raw.toString('utf8')) }
        catch { parsed = raw.toString('utf8') }
        resolve({ status: res.statusCode, headers: res.headers, raw, body: parsed })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** Call and require HTTP 200; returns the parsed body. */
async function ok (port, operation, payload) {
  const res = await dynamo(port, operation, payload)
  if (res.status != 200) {
    throw new Error(operation + ' failed with ' + res.status + ': ' + JSON.stringify(res.body))
  }
  return res.body
}

module.exports = { dynamo, ok }
