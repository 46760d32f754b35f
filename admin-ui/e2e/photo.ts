// A phone-camera-like photo generated in the browser: 4000 × 3000, gradients and shapes with
// sensor-like noise, encoded as a high-quality JPEG of about 4 MB (the size the benchmark of
// issue 17 names). Returned as bytes for `setInputFiles`.
import type { Page } from '@playwright/test'

export async function cameraPhoto(page: Page, seed = 1): Promise<Buffer> {
  const b64 = await page.evaluate(async (seed) => {
    let s = seed * 2654435761
    const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    const w = 4000
    const h = 3000
    const c = document.createElement('canvas')
    c.width = w
    c.height = h
    const g = c.getContext('2d')!
    const sky = g.createLinearGradient(0, 0, 0, h)
    sky.addColorStop(0, '#8fb8de')
    sky.addColorStop(0.55, '#d8e4ec')
    sky.addColorStop(0.56, '#6b6b6b')
    sky.addColorStop(1, '#3d3d3d')
    g.fillStyle = sky
    g.fillRect(0, 0, w, h)
    for (let i = 0; i < 400; i++) {
      g.fillStyle = `hsl(${Math.floor(rnd() * 360)},${20 + rnd() * 50}%,${25 + rnd() * 50}%)`
      const x = rnd() * w
      const y = rnd() * h
      if (rnd() < 0.5) g.fillRect(x, y, 40 + rnd() * 400, 40 + rnd() * 300)
      else {
        g.beginPath()
        g.arc(x, y, 20 + rnd() * 180, 0, Math.PI * 2)
        g.fill()
      }
    }
    const img = g.getImageData(0, 0, w, h)
    const d = img.data
    for (let i = 0; i < d.length; i += 4) {
      const n = (rnd() - 0.5) * 40
      d[i] += n
      d[i + 1] += n
      d[i + 2] += n
    }
    g.putImageData(img, 0, 0)
    const blob: Blob = await new Promise((r) => c.toBlob((b) => r(b!), 'image/jpeg', 0.87))
    const buf = new Uint8Array(await blob.arrayBuffer())
    let bin = ''
    for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000))
    return btoa(bin)
  }, seed)
  return Buffer.from(b64, 'base64')
}

/** A small JPEG (640 × 480) with a caption, e.g. a department's after-photo sent through the API. */
export async function smallPhoto(page: Page, caption: string, colour = '#2f9e44'): Promise<Buffer> {
  const b64 = await page.evaluate(
    async ([caption, colour]) => {
      const c = document.createElement('canvas')
      c.width = 640
      c.height = 480
      const g = c.getContext('2d')!
      g.fillStyle = colour
      g.fillRect(0, 0, 640, 480)
      g.fillStyle = '#fff'
      g.font = 'bold 56px sans-serif'
      g.textAlign = 'center'
      g.fillText(caption, 320, 260)
      const blob: Blob = await new Promise((r) => c.toBlob((b) => r(b!), 'image/jpeg', 0.85))
      const buf = new Uint8Array(await blob.arrayBuffer())
      let bin = ''
      for (const x of buf) bin += String.fromCharCode(x)
      return btoa(bin)
    },
    [caption, colour],
  )
  return Buffer.from(b64, 'base64')
}
