// The installation's console settings (`/api/v1/console/config`: the customer's basemap), read
// once per page load.
import { api, call, type Schemas } from '@/api/client'

let config: Promise<Schemas['ConsoleConfig']> | null = null

export function consoleConfig(): Promise<Schemas['ConsoleConfig']> {
  config ??= call(api.GET('/api/v1/console/config')).catch(() => ({ basemap: null }))
  return config
}
