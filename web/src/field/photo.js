// A photo from the phone's camera, made small enough to send from the field: at most MAX_SIDE
// pixels on its long side, re-encoded as JPEG (issue 15, item 5).

export const MAX_SIDE = 2000;
export const QUALITY = 0.85;

/** The size `w`×`h` scaled down (never up) so that its long side is at most `max`. */
export function fit(w, h, max = MAX_SIDE) {
  const long = Math.max(w, h);
  if (long <= max) return { width: w, height: h };
  const k = max / long;
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) };
}

/** The image file `file` as a JPEG Blob of at most MAX_SIDE px on its long side. */
export async function shrink(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const { width, height } = fit(bitmap.width, bitmap.height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff'; // a transparent PNG reads as white, not black, in JPEG
  g.fillRect(0, 0, width, height);
  g.drawImage(bitmap, 0, 0, width, height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
  if (!blob) throw new Error('Không đọc được ảnh / Could not read the photo');
  return { blob, width, height };
}
