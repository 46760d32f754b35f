// Photos are shrunk on the phone before upload: a phone camera's 4 MB JPEG becomes a few
// hundred KB (long side ~1600 px, JPEG ~0.8), which is plenty to see a problem and what 4G on
// patrol can carry. The EXIF orientation is applied while decoding (`imageOrientation:
// 'from-image'`), so a portrait photo stays upright after the EXIF block is dropped.

/** The long side of a shrunk photo, in pixels. */
export const MAX_SIDE = 1600
/** JPEG qualities tried in turn until the photo fits [`MAX_BYTES`]. */
export const QUALITIES = [0.8, 0.7, 0.6, 0.5]
/** What a shrunk photo should not exceed. */
export const MAX_BYTES = 450 * 1024

/** The size to draw an image of `width` × `height` at: the long side scaled to `max` at most
 * (never enlarged), the aspect kept, at least 1 px each way. */
export function targetSize(width: number, height: number, max = MAX_SIDE): { width: number; height: number } {
  if (!(width > 0 && height > 0)) return { width: 0, height: 0 }
  const scale = Math.min(1, max / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** Whether a file may be sent as it is: already a JPEG, small and not larger than the target. */
export function keepAsIs(type: string, bytes: number, width: number, height: number, max = MAX_SIDE): boolean {
  return type === 'image/jpeg' && bytes <= MAX_BYTES && Math.max(width, height) <= max
}

/** Encodes at the first quality of [`QUALITIES`] whose result fits, else at the last. */
export async function encodeFitting(encode: (quality: number) => Promise<Blob>, maxBytes = MAX_BYTES): Promise<Blob> {
  let blob: Blob | null = null
  for (const q of QUALITIES) {
    blob = await encode(q)
    if (blob.size <= maxBytes) return blob
  }
  return blob as Blob
}

/** A photo shrunk for upload (a JPEG), and its sizes before and after. */
export interface Shrunk {
  blob: Blob
  before: number
  after: number
  width: number
  height: number
}

/** Shrinks a photo from the camera or the gallery for upload. */
export async function shrink(file: Blob): Promise<Shrunk> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  try {
    if (keepAsIs(file.type, file.size, bitmap.width, bitmap.height)) {
      return { blob: file, before: file.size, after: file.size, width: bitmap.width, height: bitmap.height }
    }
    const { width, height } = targetSize(bitmap.width, bitmap.height)
    const canvas = document.createElement('canvas')
    canvas.width = width
    canvas.height = height
    const ctx = canvas.getContext('2d')
    if (!ctx) throw new Error('no 2d canvas')
    ctx.imageSmoothingQuality = 'high'
    ctx.drawImage(bitmap, 0, 0, width, height)
    const blob = await encodeFitting(
      (q) =>
        new Promise<Blob>((resolve, reject) =>
          canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encoding failed'))), 'image/jpeg', q),
        ),
    )
    return { blob, before: file.size, after: blob.size, width, height }
  } finally {
    bitmap.close()
  }
}
