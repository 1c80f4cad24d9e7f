"""The academy's pure rules: the lesson publishing moves and course completion."""

DRAFT = "draft"
PUBLISHED = "published"

LESSON_TRANSITIONS = {
    DRAFT: {PUBLISHED},
    PUBLISHED: {DRAFT},
}


def completion_percent(read: int, total: int) -> int:
    """Share of a course's published lessons a merchant has read, rounded down."""
    if total <= 0:
        return 0
    return min(100, read * 100 // total)


def course_completed(read: int, total: int) -> bool:
    return total > 0 and read >= total
