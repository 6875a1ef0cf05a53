export type { TurnRecord } from '@hugh/common/clients';
