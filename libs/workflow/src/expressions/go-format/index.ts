export { goSprintf, goQuote } from './sprintf.js';
export { formatGoTime, parseGoTime, strftimeChar, STRFTIME_CHARS } from './time.js';
export { formatGoValue, goTypeName } from './value.js';
export { goJsonMarshal, goJsonQuote, GoJsonError } from './json.js';
export { GoDuration } from './duration.js';
export { formatFloatE, formatFloatF, formatFloatG } from './float.js';
export { goJsonSyntaxError } from './json-syntax.js';
