import {
  COMMAND_STREAM,
  commandConsumer,
  commandSubject,
  deviceKey,
  ENDED_STREAM,
  endedSubject,
  FLEET_BUCKET,
  resultSubject,
  sessionKey,
} from './protocol'

export interface Permissions {
  publish: { allow: string[] }
  subscribe: { allow: string[] }
}

const KV_STREAM = `KV_${FLEET_BUCKET}`

/**
 * What one device's NATS user may do, for nats-server.conf (README "Fleet"; the permission tests
 * use exactly this): write only its own device record, session rows and ended sessions; send
 * commands to anyone (the fleet key authenticates them end to end) but read and acknowledge only
 * its own; read the bucket and the ended stream through consumers; hear results only on its own
 * subject. The JetStream API subjects are those the client uses (JetStream wire API reference,
 * docs.nats.io "jetstream/api"); nothing may delete or purge a stream.
 */
export function devicePermissions(device: string): Permissions {
  const api = '$JS.API'
  const readable = [KV_STREAM, ENDED_STREAM]
  return {
    publish: {
      allow: [
        `${api}.INFO`,
        `${api}.STREAM.INFO.*`,
        `${api}.STREAM.CREATE.*`,
        ...readable.flatMap((s) => [
          `${api}.CONSUMER.CREATE.${s}`,
          `${api}.CONSUMER.CREATE.${s}.>`,
          `${api}.CONSUMER.INFO.${s}.*`,
          `${api}.CONSUMER.MSG.NEXT.${s}.*`,
          `${api}.CONSUMER.DELETE.${s}.*`,
        ]),
        `${api}.CONSUMER.CREATE.${COMMAND_STREAM}.${commandConsumer(device)}.>`,
        `${api}.CONSUMER.DURABLE.CREATE.${COMMAND_STREAM}.${commandConsumer(device)}`,
        `${api}.CONSUMER.INFO.${COMMAND_STREAM}.${commandConsumer(device)}`,
        `${api}.CONSUMER.MSG.NEXT.${COMMAND_STREAM}.${commandConsumer(device)}`,
        `$JS.ACK.${COMMAND_STREAM}.${commandConsumer(device)}.>`,
        '$JS.FC.>',
        `$KV.${FLEET_BUCKET}.${deviceKey(device)}`,
        `$KV.${FLEET_BUCKET}.${sessionKey(device, '>')}`,
        endedSubject(device),
        commandSubject('*'),
        resultSubject('*'),
      ],
    },
    subscribe: { allow: ['_INBOX.>', resultSubject(device)] },
  }
}

/** One `users` entry of nats-server.conf (its authorization block) for a device's nkey. */
export function confUser(nkey: string, device: string): string {
  const p = devicePermissions(device)
  const list = (xs: string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`
  return `{ nkey: ${nkey}, permissions: { publish: { allow: ${list(p.publish.allow)} }, subscribe: { allow: ${list(p.subscribe.allow)} } } }`
}
