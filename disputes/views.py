from django.shortcuts import render

from common.access import agent_required


@agent_required
def queue(request):
    return render(request, "support/queue.html", {})
