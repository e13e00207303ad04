// The oRPC end-to-end check (run by TestORPCClient): the real @orpc/client
// 1.x, through RPCLink, against a running opsd. Usage: node orpc-check.mjs URL KEY
import assert from 'node:assert/strict'
import { createORPCClient, ORPCError, isDefinedError } from '@orpc/client'
import { RPCLink } from '@orpc/client/fetch'
import { Validator } from '@seriousme/openapi-schema-validator'

const [url, key] = process.argv.slice(2)

const link = new RPCLink({
  url: url + '/api/v1/rpc',
  // The frontend's one link setup: auth, the protocol header (for calls
  // without input), and the idempotency key from the call's context.
  headers: ({ context }) => ({
    authorization: 'Bearer ' + key,
    'x-rpc-protocol': 'orpc',
    ...(context?.idempotencyKey ? { 'idempotency-key': context.idempotencyKey } : {}),
  }),
})
const client = createORPCClient(link)

async function rejects(promise, check) {
  try {
    await promise
  } catch (e) {
    assert.ok(e instanceof ORPCError, `not an ORPCError: ${e}`)
    check(e)
    return
  }
  assert.fail('the call succeeded')
}

const steps = {
  async create() {
    const res = await client.customer.v1.create({ name: 'Ada from node' }, { context: { idempotencyKey: 'node-create-1' } })
    assert.equal(res.ok, true)
    assert.equal(res.data.name, 'Ada from node')
    assert.ok(res.data.createdAt instanceof Date, 'createdAt is a Date')
    assert.match(res.meta.trace_id, /^[0-9a-f]{32}$/)
    return res
  },
  async replay(created) {
    const again = await client.customer.v1.create({ name: 'Ada from node' }, { context: { idempotencyKey: 'node-create-1' } })
    assert.equal(again.data.id, created.data.id)
    await rejects(client.customer.v1.create({ name: 'Other' }, { context: { idempotencyKey: 'node-create-1' } }), (e) => {
      assert.equal(e.code, 'UNPROCESSABLE_CONTENT')
      assert.equal(e.status, 422)
      assert.equal(e.data.code, 'IDEMPOTENCY_CONFLICT')
    })
  },
  async typedError() {
    await rejects(client.customer.v1.create({ email: 'not-an-email' }, { context: { idempotencyKey: 'node-bad-1' } }), (e) => {
      assert.equal(e.code, 'BAD_REQUEST')
      assert.equal(e.status, 400)
      assert.ok(isDefinedError(e))
      assert.equal(e.data.code, 'VALIDATION_FAILED')
      assert.equal(e.data.type, 'validation')
      assert.deepEqual(e.data.field_errors.map((f) => f.field), ['email', 'name'])
      assert.match(e.data.trace_id, /^[0-9a-f]{32}$/)
    })
    await rejects(client.nope.v1.nope({}), (e) => {
      assert.equal(e.code, 'NOT_FOUND')
      assert.equal(e.status, 404)
    })
  },
  async dates() {
    const expiresAt = new Date('2999-01-02T03:04:05.678Z')
    const res = await client.apikey.v1.create(
      { name: 'node key', role: 'DISPATCHER', actor: { kind: 'user', id: 'node' }, expiresAt },
      { context: { idempotencyKey: 'node-key-1' } },
    )
    assert.ok(res.data.apiKey.expiresAt instanceof Date, 'expiresAt is a Date')
    assert.equal(res.data.apiKey.expiresAt.getTime(), expiresAt.getTime())
  },
  async noInput() {
    const res = await client.organization.v1.get()
    assert.equal(res.ok, true)
    assert.match(res.data.id, /^[0-9a-f-]{36}$/)
  },
  async openapi() {
    const doc = await (await fetch(url + '/api/v1/openapi.json')).json()
    const result = await new Validator().validate(doc)
    assert.ok(result.valid, 'OpenAPI document invalid: ' + JSON.stringify(result.errors, null, 1)?.slice(0, 4000))
  },
}

const created = await steps.create()
await steps.replay(created)
await steps.typedError()
await steps.dates()
await steps.noInput()
await steps.openapi()
console.log('orpc-check: ok')
