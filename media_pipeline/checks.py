"""System checks: the pipeline cannot work without ffmpeg and ffprobe."""

from django.core.checks import Tags, Warning, register

from .ffmpeg import ffmpeg_binary, missing_binaries


@register(Tags.compatibility)
def ffmpeg_available(app_configs, **kwargs):
    return [
        Warning(
            f"{name} was not found on PATH; videos cannot be probed or transcoded. "
            f"未找到 {name}，无法检查和转码视频。",
            hint="Install ffmpeg (apt-get install ffmpeg) or set "
            "MEDIA_FFMPEG_BINARY / MEDIA_FFPROBE_BINARY.",
            id="media_pipeline.W001"
            if name == ffmpeg_binary()
            else "media_pipeline.W002",
        )
        for name in missing_binaries()
    ]
