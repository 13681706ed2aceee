/** Where the Electron binary is, or null when it is not installed. */
export function electronBinary(): string | null;
/** The version of the installed electron package. */
export function electronVersion(): string;
