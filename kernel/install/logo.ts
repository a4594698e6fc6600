/**
 * flowbook's logo for the launcher: three streams merging into one, on a rounded square
 * (a pipeline, drawn small enough to read at 32 pixels).
 */
export const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
  <rect x="2" y="2" width="60" height="60" rx="12" fill="#1f4e79"/>
  <g fill="none" stroke-linecap="round" stroke-width="5">
    <path d="M12 16 C 28 16, 28 32, 40 32" stroke="#7fd1ff"/>
    <path d="M12 32 L 40 32" stroke="#ffffff"/>
    <path d="M12 48 C 28 48, 28 32, 40 32" stroke="#ffc857"/>
  </g>
  <path d="M40 22 L 54 32 L 40 42 Z" fill="#ffffff"/>
</svg>
`;
