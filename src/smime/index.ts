/** MS-OXOSMIME: S/MIME messages between Internet format and message objects. */
export * from './classify.js';
export * from './toMessage.js';
export * from './recognize.js';
export * from './toInternet.js';
export * from "./cmsContentType.js";
export * from "./unwrap.js";
