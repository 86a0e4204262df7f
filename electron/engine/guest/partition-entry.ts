/** One partition found in a table, before its filesystem is detected. */
export interface PartitionEntry {
  /** "1", "2"... in table order (MBR logical partitions from "5", as Linux numbers them). */
  id: string;
  offset: number;
  size: number;
  /** GPT type GUID (lower case) or MBR type byte as "0x83". */
  typeCode: string;
  /** GPT partition name. */
  name?: string;
}

export interface PartitionTable {
  kind: 'gpt' | 'mbr' | 'none';
  partitions: PartitionEntry[];
  /** Damage that was worked around (a GPT read from its backup header...). */
  warnings: string[];
}
