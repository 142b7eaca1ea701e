import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import SettingField from '@renderer/components/SettingField.vue'
import { deferred } from './support/fake-warden'

type Save = (value: number | null) => Promise<string | null>

interface Options {
  kind?: 'duration' | 'integer'
  value?: number | null
  zeroIsNever?: boolean
  inheritLabel?: string
  compact?: boolean
  save?: Save
}

const mounted: VueWrapper[] = []

afterEach(() => {
  for (const w of mounted.splice(0)) w.unmount()
})

function setup(o: Options = {}) {
  const save = vi.fn<Save>(o.save ?? (() => Promise.resolve(null)))
  const wrapper = mount(SettingField, {
    props: {
      id: 'warnAfterSec',
      label: 'Warn after',
      hint: 'Notify once a session has been idle this long; 0 = never.',
      kind: o.kind ?? 'duration',
      value: o.value === undefined ? 600 : o.value,
      save,
      ...(o.zeroIsNever === undefined ? {} : { zeroIsNever: o.zeroIsNever }),
      ...(o.inheritLabel === undefined ? {} : { inheritLabel: o.inheritLabel }),
      ...(o.compact === undefined ? {} : { compact: o.compact }),
    },
    attachTo: document.body,
  })
  mounted.push(wrapper)
  const input = wrapper.get<HTMLInputElement>('input#warnAfterSec')
  const status = () => wrapper.get('[role="status"]')
  return {
    wrapper,
    save,
    input,
    status,
    /** the message under the field */
    message: () => status().text(),
    invalid: () => input.attributes('aria-invalid'),
    async type(text: string) {
      await input.setValue(text)
    },
    async enter() {
      await input.trigger('keydown', { key: 'Enter' })
      await flushPromises()
    },
  }
}

describe('SettingField', () => {
  it('shows the value as text, labelled and described', () => {
    const f = setup({ value: 5400 })
    expect(f.input.element.value).toBe('1h 30m')
    expect(f.wrapper.get('label').attributes('for')).toBe('warnAfterSec')
    expect(f.wrapper.get('label').text()).toBe('Warn after')
    expect(f.input.attributes('aria-describedby')).toBe('warnAfterSec-msg')
    expect(f.status().attributes('id')).toBe('warnAfterSec-msg')
    expect(f.message()).toBe('Notify once a session has been idle this long; 0 = never.')
    expect(f.invalid()).toBe('false')
  })

  it('shows 0 as "never" when 0 means never', () => {
    expect(setup({ value: 0, zeroIsNever: true }).input.element.value).toBe('never')
    expect(setup({ value: 0 }).input.element.value).toBe('0s')
  })

  it('a text that does not parse shows the reason and saves nothing', async () => {
    const f = setup()
    await f.type('2x')
    await f.enter()
    expect(f.save).not.toHaveBeenCalled()
    expect(f.message()).toBe('"2x" is not a duration: use s, m, h or d, e.g. 1h 30m')
    expect(f.invalid()).toBe('true')
    expect(f.status().classes()).toContain('err')
    // the text stays for the user to fix
    expect(f.input.element.value).toBe('2x')
  })

  it('a good duration is saved once, in seconds, on Enter', async () => {
    const f = setup({ value: 300 })
    await f.type('10m')
    await f.enter()
    expect(f.save).toHaveBeenCalledTimes(1)
    expect(f.save).toHaveBeenCalledWith(600)
    expect(f.invalid()).toBe('false')
    expect(f.wrapper.find('[aria-label="Saved"]').exists()).toBe(true)
  })

  it('shows the saved value in its short form', async () => {
    const f = setup({ value: 300 })
    await f.type('90m')
    await f.enter()
    expect(f.save).toHaveBeenCalledWith(5400)
    expect(f.input.element.value).toBe('1h 30m')
  })

  it('saves on blur too', async () => {
    const f = setup({ value: 300 })
    await f.type('45s')
    await f.input.trigger('blur')
    await flushPromises()
    expect(f.save).toHaveBeenCalledExactlyOnceWith(45)
  })

  it("shows the engine's reason when it refuses the value", async () => {
    const reason = 'warnAfterSec must be a whole number of seconds from 0 (never) to 604800 (got 691200)'
    const f = setup({ save: () => Promise.resolve(reason) })
    await f.type('8d')
    await f.enter()
    expect(f.save).toHaveBeenCalledExactlyOnceWith(691_200)
    expect(f.message()).toBe(reason)
    expect(f.invalid()).toBe('true')
    expect(f.wrapper.find('[aria-label="Saved"]').exists()).toBe(false)
    expect(f.input.element.value).toBe('8d')
  })

  it('shows nothing new until the engine answers, then clears an earlier error', async () => {
    const answer = deferred<string | null>()
    const f = setup({ save: () => answer.promise })
    await f.type('2x')
    await f.enter()
    expect(f.invalid()).toBe('true')
    await f.type('20m')
    await f.enter()
    expect(f.save).toHaveBeenCalledExactlyOnceWith(1200)
    expect(f.message()).toBe('"2x" is not a duration: use s, m, h or d, e.g. 1h 30m')
    expect(f.wrapper.find('[aria-label="Saved"]').exists()).toBe(false)
    answer.resolve(null)
    await flushPromises()
    expect(f.invalid()).toBe('false')
    expect(f.message()).toBe('Notify once a session has been idle this long; 0 = never.')
    expect(f.wrapper.find('[aria-label="Saved"]').exists()).toBe(true)
  })

  it('unchanged text (even with spaces around it) saves nothing, and clears an error', async () => {
    const f = setup({ value: 600 })
    await f.enter()
    await f.type('  10m ')
    await f.enter()
    expect(f.save).not.toHaveBeenCalled()

    await f.type('1q')
    await f.enter()
    expect(f.invalid()).toBe('true')
    await f.type('10m')
    await f.enter()
    expect(f.save).not.toHaveBeenCalled()
    expect(f.invalid()).toBe('false')
  })

  it('follows a new value from the parent', async () => {
    const f = setup({ value: 600 })
    await f.wrapper.setProps({ value: 7200 })
    expect(f.input.element.value).toBe('2h')
  })

  it('empty text with an inherit label saves null (use the global setting)', async () => {
    const f = setup({ value: 900, inheritLabel: 'Global (10m)' })
    expect(f.input.attributes('placeholder')).toBe('Global (10m)')
    await f.type('')
    await f.enter()
    expect(f.save).toHaveBeenCalledExactlyOnceWith(null)
    expect(f.input.element.value).toBe('')
  })

  it('empty text without an inherit label is an error', async () => {
    const f = setup({ value: 900 })
    await f.type('  ')
    await f.enter()
    expect(f.save).not.toHaveBeenCalled()
    expect(f.message()).toBe('enter a duration, e.g. 10m')
  })

  it('an inherited (null) field left empty saves nothing', async () => {
    const f = setup({ value: null, inheritLabel: 'Global' })
    expect(f.input.element.value).toBe('')
    await f.enter()
    expect(f.save).not.toHaveBeenCalled()
  })

  describe('kind integer', () => {
    it('saves a whole number', async () => {
      const f = setup({ kind: 'integer', value: 5 })
      expect(f.input.element.value).toBe('5')
      await f.type('12')
      await f.enter()
      expect(f.save).toHaveBeenCalledExactlyOnceWith(12)
      expect(f.input.element.value).toBe('12')
    })

    it('refuses a fraction or a unit', async () => {
      const f = setup({ kind: 'integer', value: 5 })
      for (const t of ['1.5', '10m']) {
        await f.type(t)
        await f.enter()
        expect(f.message()).toBe('enter a whole number')
        expect(f.invalid()).toBe('true')
      }
      expect(f.save).not.toHaveBeenCalled()
    })
  })

  it('compact: the label is visually hidden and the hint is not shown, errors are', async () => {
    const f = setup({ compact: true })
    expect(f.wrapper.get('label').classes()).toContain('visually-hidden')
    expect(f.message()).toBe('')
    await f.type('x')
    await f.enter()
    expect(f.message()).toBe('"x" is not a duration: use s, m, h or d, e.g. 1h 30m')
  })
})
