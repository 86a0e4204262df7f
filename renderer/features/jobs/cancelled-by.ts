/** Who cancelled a job, in words: "you" for the person at this app, else the name the engine recorded. */
export function cancelledByText(job: { cancelledBy?: string | null | undefined }): string {
  const who = job.cancelledBy?.trim();
  if (!who || who === 'user' || who === 'you') return 'Cancelled by you';
  return `Cancelled by ${who}`;
}
