/** The gate's cleanup stack is the subject's (bench/subject/cleanup.ts). */
export { Cleanup } from '../subject/cleanup.ts';
