// Labels of the server's codes (states, actions, sources, roles, …) in both languages, from
// `/api/v1/vocabulary`, fetched once per session: the console never keeps its own copy.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, call, type Schemas } from '@/api/client'
import { i18n } from '@/i18n'

type Vocabulary = Schemas['Vocabulary']
export type VocabKind = keyof Vocabulary

export const useVocab = defineStore('vocab', () => {
  const vocab = ref<Vocabulary | null>(null)
  let loading: Promise<void> | null = null

  function ensure(): Promise<void> {
    loading ??= call(api.GET('/api/v1/vocabulary')).then((v) => {
      vocab.value = v
    })
    return loading
  }

  function terms(kind: VocabKind) {
    return vocab.value?.[kind] ?? []
  }

  /** The label of `code` in the current language (the code itself when unknown). */
  function label(kind: VocabKind, code: string | null | undefined): string {
    if (!code) return ''
    const t = terms(kind).find((x) => x.code === code)
    if (!t) return code
    return i18n.global.locale.value === 'en' ? t.en : t.zh
  }

  return { vocab, ensure, terms, label }
})
