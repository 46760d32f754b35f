// The phone's position. Browser geolocation is WGS84, so reports say `crs: "wgs84"`.
export interface Position {
  lon: number
  lat: number
  /** Metres. */
  accuracy: number
}

export function locate(timeoutMs = 15000): Promise<Position> {
  return new Promise((resolve, reject) => {
    if (!('geolocation' in navigator)) {
      reject(new Error('unsupported'))
      return
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude, accuracy: p.coords.accuracy }),
      (e) => reject(new Error(e.code === e.PERMISSION_DENIED ? 'denied' : 'unavailable')),
      { enableHighAccuracy: true, timeout: timeoutMs, maximumAge: 30000 },
    )
  })
}

/** A link that opens the phone's map app at a WGS84 point (the `geo:` URI of RFC 5870). */
export function geoUri(lon: number, lat: number, label = ''): string {
  const p = `${lat.toFixed(6)},${lon.toFixed(6)}`
  return label ? `geo:${p}?q=${p}(${encodeURIComponent(label)})` : `geo:${p}?q=${p}`
}
