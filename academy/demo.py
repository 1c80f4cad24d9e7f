"""Demo data: merchant A has read the first course of the academy."""

from common.demo import register


@register(90, "academy")
def load_academy():
    from django.contrib.auth import get_user_model

    from academy.models import Lesson
    from academy.services import lesson_mark_read

    merchant = get_user_model().objects.filter(username="merchant_a").first()
    if merchant is None:
        return
    first_course = Lesson.objects.filter(status=Lesson.Status.PUBLISHED).order_by(
        "course__order", "course_id").values_list("course_id", flat=True).first()
    for lesson in Lesson.objects.filter(course_id=first_course, status=Lesson.Status.PUBLISHED):
        lesson_mark_read(merchant=merchant, lesson=lesson)
