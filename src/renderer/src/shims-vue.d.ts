// For tools that read .ts without Vue's language plugin (typescript-eslint); vue-tsc sees the real types.
declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent
  export default component
}
