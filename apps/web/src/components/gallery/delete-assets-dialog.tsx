'use client';
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from '@/components/ui/alert-dialog';

/** Asks before deleting; open while `count` is not null. */
export function DeleteAssetsDialog({
  count,
  onConfirm,
  onClose,
}: {
  count: number | null;
  onConfirm(): void;
  onClose(): void;
}) {
  const many = (count ?? 0) > 1;
  return (
    <AlertDialog open={count !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>{many ? `Delete ${count} files?` : 'Delete this file?'}</AlertDialogTitle>
          <AlertDialogDescription>
            {many ? 'They are' : 'It is'} removed from your gallery and from the disk. The jobs that made{' '}
            {many ? 'them' : 'it'} stay in the queue. This cannot be undone.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep</AlertDialogCancel>
          <AlertDialogAction destructive onClick={onConfirm}>
            Delete
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
