// Downloads a server export (CSV/XLSX/GeoJSON) with the caller's token, saving it under the
// file name the server gives in Content-Disposition.
import { rawFetch } from '@/api/client'

export function fileName(disposition: string | null, fallback: string): string {
  const star = disposition?.match(/filename\*=UTF-8''([^;]+)/i)
  if (star) return decodeURIComponent(star[1])
  const plain = disposition?.match(/filename="?([^";]+)"?/i)
  return plain ? plain[1] : fallback
}

export async function download(url: string, fallback: string) {
  const res = await rawFetch(url)
  const blob = await res.blob()
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = fileName(res.headers.get('Content-Disposition'), fallback)
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
}

/** `?a=1&b=2` from the defined values of `q`. */
export function queryString(q: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v))
  const s = p.toString()
  return s ? `?${s}` : ''
}
