// What a step can ask of the checklist that owns the selection and the commands.
export interface ChecklistControl {
  select(ref: string): void;
  check(ref: string): void;
  reopen(ref: string): void;
  /** Opens the inline reason prompt under the step. */
  askSkip(ref: string): void;
  confirmSkip(ref: string, reason: string): Promise<void>;
  cancelSkip(): Promise<void>;
}
