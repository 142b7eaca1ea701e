import { build } from 'vite'
import { rendererConfig } from '../../vite.renderer.config'

// The e2e tests run the window exactly as it ships: build it once before they start.
export default async function setup(): Promise<void> {
  await build({ ...rendererConfig, configFile: false, logLevel: 'warn' })
}
